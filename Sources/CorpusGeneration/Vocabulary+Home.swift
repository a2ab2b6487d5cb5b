// Home categories: coffee, kitchen, baby, pets.
extension Vocabulary {
    static let coffee = CategoryVocabulary(
        name: "coffee",
        topics: [
            TopicVocabulary(
                name: Bilingual("espresso", "意式浓缩"),
                products: [
                    Bilingual("espresso machine", "意式咖啡机"),
                    Bilingual("filter basket", "粉碗"),
                    Bilingual("milk frother", "奶泡器"),
                    Bilingual("tamper", "压粉器"),
                    Bilingual("knock box", "敲渣盒"),
                    Bilingual("espresso cups", "浓缩杯"),
                    Bilingual("descaler", "除垢剂"),
                    Bilingual("milk pitcher", "拉花缸"),
                ],
                uses: [
                    Bilingual("latte art", "拉花练习"),
                    Bilingual("double shots", "双份浓缩"),
                    Bilingual("crema", "油脂层"),
                ]),
            TopicVocabulary(
                name: Bilingual("pour-over coffee", "手冲咖啡"),
                products: [
                    Bilingual("gooseneck kettle", "手冲壶"),
                    Bilingual("cone dripper", "滤杯"),
                    Bilingual("paper filters", "滤纸"),
                    Bilingual("hand grinder", "手摇磨豆机"),
                    Bilingual("coffee scale", "手冲秤"),
                    Bilingual("glass server", "分享壶"),
                    Bilingual("single origin beans", "单品豆"),
                    Bilingual("bean canister", "密封罐"),
                ],
                uses: [
                    Bilingual("light roast", "浅烘焙"),
                    Bilingual("bloom time", "闷蒸"),
                    Bilingual("slow mornings", "慢节奏早晨"),
                ]),
        ],
        brands: [
            Bilingual("Beanforge", "豆匠"),
            Bilingual("Roastmere", "焙山"),
            Bilingual("Kettlewick", "壶芯"),
            Bilingual("Pourlane", "细流"),
            Bilingual("Cremont", "克莱蒙"),
            Bilingual("Grindhollow", "磨谷"),
            Bilingual("Owlbrew", "夜枭"),
        ],
        materials: [
            Bilingual("stainless steel", "不锈钢"),
            Bilingual("ceramic", "陶瓷"),
            Bilingual("borosilicate glass", "高硼硅玻璃"),
            Bilingual("copper", "紫铜"),
            Bilingual("walnut wood", "胡桃木"),
            Bilingual("cast aluminium", "铸铝"),
        ])

    static let kitchen = CategoryVocabulary(
        name: "kitchen",
        topics: [
            TopicVocabulary(
                name: Bilingual("baking", "烘焙"),
                products: [
                    Bilingual("stand mixer", "厨师机"),
                    Bilingual("baking sheet", "烤盘"),
                    Bilingual("cake pan", "蛋糕模具"),
                    Bilingual("piping bags", "裱花袋"),
                    Bilingual("rolling pin", "擀面杖"),
                    Bilingual("proofing basket", "发酵篮"),
                    Bilingual("bench scraper", "刮板"),
                    Bilingual("oven thermometer", "烤箱温度计"),
                ],
                uses: [
                    Bilingual("sourdough bread", "酸面包"),
                    Bilingual("birthday cakes", "生日蛋糕"),
                    Bilingual("holiday cookies", "节日饼干"),
                ]),
            TopicVocabulary(
                name: Bilingual("chef knives", "厨刀"),
                products: [
                    Bilingual("chef knife", "主厨刀"),
                    Bilingual("santoku", "三德刀"),
                    Bilingual("nakiri", "菜切刀"),
                    Bilingual("magnetic strip", "磁吸刀架"),
                    Bilingual("whetstone", "磨刀石"),
                    Bilingual("honing rod", "磨刀棒"),
                    Bilingual("cutting board", "砧板"),
                ],
                uses: [
                    Bilingual("meal prep", "备餐"),
                    Bilingual("thin slicing", "切薄片"),
                    Bilingual("sushi nights", "寿司料理"),
                ]),
            TopicVocabulary(
                name: Bilingual("cookware", "锅具"),
                products: [
                    Bilingual("dutch oven", "珐琅锅"),
                    Bilingual("frying pan", "平底煎锅"),
                    Bilingual("saucepan", "奶锅"),
                    Bilingual("stock pot", "汤锅"),
                    Bilingual("wok", "炒锅"),
                    Bilingual("splatter guard", "防溅网"),
                    Bilingual("pot lid rack", "锅盖架"),
                ],
                uses: [
                    Bilingual("slow braising", "慢炖"),
                    Bilingual("stir fry", "爆炒"),
                    Bilingual("sunday roasts", "周日烤肉"),
                ]),
        ],
        brands: [
            Bilingual("Hearthwell", "炉心"),
            Bilingual("Cookwright", "厨匠"),
            Bilingual("Bladewick", "刃芯"),
            Bilingual("Ovenmere", "烤庐"),
            Bilingual("Copperlane", "铜巷"),
            Bilingual("Whiskdale", "搅谷"),
            Bilingual("Stovecraft", "灶艺"),
        ],
        materials: [
            Bilingual("carbon steel", "碳钢"),
            Bilingual("cast iron", "铸铁"),
            Bilingual("enamel", "搪瓷"),
            Bilingual("beech wood", "榉木"),
            Bilingual("heatproof silicone", "耐热硅胶"),
            Bilingual("copper core", "铜芯"),
        ])

    static let baby = CategoryVocabulary(
        name: "baby",
        topics: [
            TopicVocabulary(
                name: Bilingual("baby feeding", "宝宝喂养"),
                products: [
                    Bilingual("feeding bottles", "奶瓶"),
                    Bilingual("bottle warmer", "暖奶器"),
                    Bilingual("high chair", "宝宝餐椅"),
                    Bilingual("bibs", "围兜"),
                    Bilingual("sippy cup", "学饮杯"),
                    Bilingual("breast pump", "吸奶器"),
                    Bilingual("formula dispenser", "奶粉盒"),
                    Bilingual("teething ring", "牙胶"),
                ],
                uses: [
                    Bilingual("weaning", "断奶期"),
                    Bilingual("night feeds", "夜奶"),
                    Bilingual("first solids", "辅食添加"),
                ]),
            TopicVocabulary(
                name: Bilingual("baby travel", "宝宝出行"),
                products: [
                    Bilingual("stroller", "婴儿推车"),
                    Bilingual("car seat", "安全座椅"),
                    Bilingual("soft carrier", "婴儿背带"),
                    Bilingual("diaper bag", "妈咪包"),
                    Bilingual("rain cover", "防雨罩"),
                    Bilingual("travel cot", "旅行床"),
                    Bilingual("stroller organizer", "推车挂袋"),
                ],
                uses: [
                    Bilingual("city walks", "城市散步"),
                    Bilingual("long drives", "长途自驾"),
                    Bilingual("newborns", "新生儿"),
                ]),
            TopicVocabulary(
                name: Bilingual("nursery", "婴儿房"),
                products: [
                    Bilingual("crib", "宝宝床"),
                    Bilingual("video monitor", "监护器"),
                    Bilingual("swaddle", "包巾"),
                    Bilingual("night light", "小夜灯"),
                    Bilingual("changing table", "尿布台"),
                    Bilingual("sound machine", "白噪音机"),
                    Bilingual("play mat", "爬行垫"),
                ],
                uses: [
                    Bilingual("sleep training", "睡眠训练"),
                    Bilingual("nap time", "午睡时间"),
                    Bilingual("tummy time", "趴趴练习"),
                ]),
        ],
        brands: [
            Bilingual("Littlewren", "小鹪"),
            Bilingual("Cradlebee", "摇篮蜂"),
            Bilingual("Puddlepip", "水洼"),
            Bilingual("Nestkin", "巢亲"),
            Bilingual("Babblebrook", "咿呀溪"),
            Bilingual("Snugglet", "暖团"),
            Bilingual("Moonpram", "月亮车"),
        ],
        materials: [
            Bilingual("organic cotton", "有机棉"),
            Bilingual("bamboo fibre", "竹纤维"),
            Bilingual("food grade silicone", "食品级硅胶"),
            Bilingual("maple wood", "枫木"),
            Bilingual("muslin", "纱布"),
        ])

    static let pets = CategoryVocabulary(
        name: "pets",
        topics: [
            TopicVocabulary(
                name: Bilingual("dog walking", "遛狗训练"),
                products: [
                    Bilingual("dog leash", "牵引绳"),
                    Bilingual("dog harness", "胸背带"),
                    Bilingual("training treats", "训练零食"),
                    Bilingual("clicker", "响片"),
                    Bilingual("poop bags", "拾便袋"),
                    Bilingual("chew toys", "磨牙玩具"),
                    Bilingual("dog bed", "狗窝"),
                ],
                uses: [
                    Bilingual("puppy socialising", "幼犬社会化"),
                    Bilingual("long walks", "长距离遛狗"),
                    Bilingual("recall practice", "召回练习"),
                ]),
            TopicVocabulary(
                name: Bilingual("cat care", "养猫"),
                products: [
                    Bilingual("cat tree", "猫爬架"),
                    Bilingual("scratching post", "猫抓板"),
                    Bilingual("litter box", "猫砂盆"),
                    Bilingual("clumping litter", "结团猫砂"),
                    Bilingual("wand toy", "逗猫棒"),
                    Bilingual("pet fountain", "饮水机"),
                    Bilingual("grooming brush", "梳毛刷"),
                ],
                uses: [
                    Bilingual("indoor cats", "室内养猫"),
                    Bilingual("hairball control", "化毛"),
                    Bilingual("kitten care", "幼猫护理"),
                ]),
            TopicVocabulary(
                name: Bilingual("aquarium", "水族"),
                products: [
                    Bilingual("fish tank", "鱼缸"),
                    Bilingual("canister filter", "过滤桶"),
                    Bilingual("tank heater", "加热棒"),
                    Bilingual("driftwood", "沉木"),
                    Bilingual("water conditioner", "水质稳定剂"),
                    Bilingual("air pump", "增氧泵"),
                    Bilingual("gravel vacuum", "洗沙器"),
                ],
                uses: [
                    Bilingual("tropical fish", "热带鱼"),
                    Bilingual("aquascaping", "水草造景"),
                    Bilingual("shrimp keeping", "观赏虾"),
                ]),
        ],
        brands: [
            Bilingual("Pawsley", "爪丽"),
            Bilingual("Whiskerton", "须镇"),
            Bilingual("Barkwell", "吠好"),
            Bilingual("Mewmoor", "喵原"),
            Bilingual("Fetchbrook", "衔溪"),
            Bilingual("Finwhistle", "鳍哨"),
            Bilingual("Snoutly", "鼻鼻"),
        ],
        materials: [
            Bilingual("nylon webbing", "尼龙织带"),
            Bilingual("natural rubber", "天然橡胶"),
            Bilingual("sisal", "剑麻"),
            Bilingual("plush", "毛绒"),
            Bilingual("hemp rope", "麻绳"),
            Bilingual("acrylic", "亚克力"),
        ])
}
